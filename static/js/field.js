// field: see templates/_head.html
