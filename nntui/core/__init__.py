"""The torch-free core: the run config and its field table, the choices a config names, the events
a run reports and their status, the metrics table and the run record. Every face imports it at module
top; it imports neither torch nor Textual."""
