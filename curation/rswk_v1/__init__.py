"""Import of the RS-RAG paper's published records (RSWK v1 JSON) into RSWK's landmarks table."""
