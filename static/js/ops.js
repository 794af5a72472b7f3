// ops: see templates/_head.html
