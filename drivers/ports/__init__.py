"""Serial port discovery for technicians."""
