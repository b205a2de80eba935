"""Authoring questionnaires without Python: workbooks and YAML in, versions out (docs/definition-format.md)."""
