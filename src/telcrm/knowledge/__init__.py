"""Knowledge base (知识库, SRV-2): articles, versions, review, validity, search and suggestions."""
