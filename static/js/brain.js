// brain: see templates/_head.html
