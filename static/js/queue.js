// queue: see templates/_head.html
