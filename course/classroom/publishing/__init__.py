"""Publishing: the course website and the student release."""
