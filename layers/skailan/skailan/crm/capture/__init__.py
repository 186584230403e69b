"""Capturing people: public forms and file imports."""
