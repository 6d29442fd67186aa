"""Who may do what: permissions and how several paths to a thing combine."""
