"""Export machinery: options (filters), the table (read model -> typed, labelled frame), writers."""
