"""Reports for people: PNG figures and self-contained HTML pages."""
