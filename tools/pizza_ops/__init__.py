"""Operations tooling for the pizza backend: the resource declaration, the embedded stack
(emulator + OTLP receiver), deployment, trace inspection and DLQ redrive."""
