"""leadpack: compile a Markdown course into e-learning packages (SCORM, xAPI) that learning platforms track."""

__version__ = "0.1.0"
