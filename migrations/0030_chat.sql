-- Live chat. A visitor's conversation, its messages (each with a per-conversation sequence
-- number, so a reconnecting widget asks for "everything after N"), agents' presence and chat
-- capacity, and canned answers. A visitor proves who they are with a random token kept in
-- their browser; only its SHA-256 is stored.
CREATE TABLE chat_presence (
  staff_id bigint PRIMARY KEY REFERENCES staff(id),
  status text NOT NULL CHECK (status IN ('available', 'busy', 'away', 'offline')),
  capacity integer NOT NULL DEFAULT 3 CHECK (capacity BETWEEN 1 AND 20),
  -- Since when the agent has had nothing to do: routing offers the next chat to the longest idle.
  idle_since timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE chat_conversations (
  id bigserial PRIMARY KEY,
  team_id bigint REFERENCES teams(id),
  language text NOT NULL CHECK (language IN ('en', 'de', 'fr')),
  visitor_token_hash text NOT NULL UNIQUE,
  -- open: not yet asked for a person; queued: waiting for one; active: with an agent;
  -- waiting_as_case: nobody was there, taken as a case with the expectation told;
  -- ended; abandoned: left the queue and did not come back in time.
  status text NOT NULL CHECK (status IN ('open', 'queued', 'active', 'waiting_as_case', 'ended', 'abandoned')),
  email text,
  customer_id bigint REFERENCES customers(id),
  case_id bigint REFERENCES cases(id),
  agent_id bigint REFERENCES staff(id),
  queued_at timestamptz,
  -- What the visitor was told when they joined the queue, kept to measure it against what happened.
  estimated_wait_seconds integer,
  accepted_at timestamptz,
  -- The visitor closed the page while queued: they keep their place until left_at + grace.
  left_at timestamptz,
  -- When a person will be there, as told to the visitor when nobody was.
  expected_at timestamptz,
  ended_at timestamptz,
  last_seq integer NOT NULL DEFAULT 0,
  -- Flood control: messages counted in the current minute.
  rate_window_start timestamptz,
  rate_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX chat_conversations_queue ON chat_conversations (queued_at) WHERE status = 'queued';
CREATE INDEX chat_conversations_agent ON chat_conversations (agent_id) WHERE status = 'active';
CREATE INDEX chat_conversations_case ON chat_conversations (case_id);
CREATE INDEX chat_conversations_queued_day ON chat_conversations (queued_at);

CREATE TABLE chat_messages (
  conversation_id bigint NOT NULL REFERENCES chat_conversations(id),
  seq integer NOT NULL,
  author text NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
  staff_id bigint REFERENCES staff(id),
  body text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);

CREATE TABLE chat_canned_answers (
  id bigserial PRIMARY KEY,
  title text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL
);
