-- Phone numbers are kept in E.164 (+442079460958) so a number matches however it was written.
-- SQL cannot parse phone numbers: older entries are rewritten by the app when it starts
-- (normaliseStoredPhones in src/customers/phones.ts). Here: drop the exact duplicates a merge
-- could leave, and keep each number once per customer from now on.
DELETE FROM customer_phones a
  USING customer_phones b
  WHERE a.customer_id = b.customer_id AND a.phone = b.phone AND a.ctid > b.ctid;
CREATE UNIQUE INDEX customer_phones_key ON customer_phones (customer_id, phone);
