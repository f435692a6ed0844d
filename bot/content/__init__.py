"""Content: YAML files validated against schema models, loaded once into a catalogue."""
