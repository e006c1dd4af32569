"""leadpack: compile a Markdown course into SCORM 1.2 and xAPI packages."""

__version__ = "0.1.0"
