"""The Discord face: one package per feature; each turns interactions into core calls."""
