-- Reserved for issue 15 (in-session Q&A, polls, feedback; feat/session), which uses 0010.
-- This placeholder only keeps the numbering 1..n on branches without it: when feat/session's
-- own 0010 migration is merged, delete this file.
SELECT 1;
