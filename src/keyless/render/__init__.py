"""Output formats. Each renderer turns a result into text through explicit converters."""
