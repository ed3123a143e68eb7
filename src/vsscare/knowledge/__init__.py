"""Knowledge: the legal corpus (documents and articles) and, later, the Q&A bank that cites it."""
