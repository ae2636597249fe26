"""Tools that build, present, hand out and maintain the course (``python -m annteach COMMAND``),
not the lesson.

``import annteach`` never imports this subpackage.
"""
