"""The published language: the typed events each context publishes, one module per publisher.

Contexts never import each other; they share these schemas. A context that
reacts to another's change subscribes (in its manifest) to the classes here,
and the publisher builds the same classes, so a payload that drifts from its
contract fails where it is published. The kinds, resource types and field
names are the wire form the pages and the WebSocket read; a field added
later must have a default, or the schema's version rises and
``Event.upcast`` reads the older rows. Rows written before payloads were
typed are version 0 and read as they are (the field names did not change).
"""
