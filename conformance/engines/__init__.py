"""Where blocks of records are judged: this process, `--jobs N` worker processes, or Dask."""
