// desk: see templates/_head.html
