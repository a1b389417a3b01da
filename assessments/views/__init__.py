"""Views of the assessments app, one module per area: pages, the wizard, plans."""
