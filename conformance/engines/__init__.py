"""Where blocks of records are judged: this process or `--jobs N` worker processes."""
