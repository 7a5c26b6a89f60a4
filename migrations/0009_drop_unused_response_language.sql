-- The customer's language lives on the customer; the copy on each response was never filled.
ALTER TABLE survey_responses DROP COLUMN language;
