-- PostgreSQL keeps its search vector on the documents row; nothing to do (see sqlite/0004).
SELECT 1;
