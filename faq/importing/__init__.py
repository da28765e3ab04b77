"""Guides brought in from files (issue 13): parsers that turn a file into a
GuideDocument (no database, no HTTP), and `apply` that imports one."""
