-- Placeholder on feat/organizers only, so that 0005 applies on this branch.
-- At merge, drop this file in favour of the real 0003 migration of another feature.
SELECT 1;
