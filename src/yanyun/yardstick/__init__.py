"""The yardstick (考核): 四下降两提升 as code, year on year, every number traceable; 警情回访."""
