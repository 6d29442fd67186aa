"""Projects: where observations belong and who may submit them."""
