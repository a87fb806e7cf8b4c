"""Company templates: a tenant's own Word templates, vetted at upload, versioned, and used like the shipped ones."""
