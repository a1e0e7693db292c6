"""Architecture templates and their search spaces, one module per modality."""
