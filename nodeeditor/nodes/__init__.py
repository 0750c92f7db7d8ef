"""The built-in node library, one module per family; importing a module registers its nodes."""
