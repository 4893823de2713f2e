"""The locate stage: checked coordinates, resolved articles and page ids of landmarks."""
