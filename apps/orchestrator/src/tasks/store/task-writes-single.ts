// Single statements on one task, outside the group commit (progress heartbeats, notices from the host).

/** $1 task, $2 attempt, $3 agent: the running attempt's deadline moves to now + heartbeat timeout, capped by its execution timeout. */
export const heartbeatSql = `WITH t AS (
         UPDATE task_history
            SET deadline = LEAST(started_at + make_interval(secs => timeout_seconds), now() + make_interval(secs => heartbeat_timeout_seconds))
          WHERE task_id = $1 AND attempt = $2 AND agent_id = $3 AND status = 'in_progress' AND heartbeat_timeout_seconds IS NOT NULL
          RETURNING task_id, attempt, deadline
       )
       UPDATE task_attempts a SET deadline = t.deadline FROM t WHERE a.task_id = t.task_id AND a.attempt = t.attempt`;

/** $1 task, $2 attempt, $3 agent, $4 wait ms: a `waiting_for_model` event while the attempt is not over. */
export const waitingForModelSql = `INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
       SELECT task_id, attempt, 'waiting_for_model', status, $3, jsonb_build_object('wait_ms', $4::int)
         FROM task_history WHERE task_id = $1 AND attempt = $2 AND status IN ('pending', 'in_progress')
       RETURNING id::text AS id, task_id, attempt, type, status, agent_id, detail, created_at`;

/** $1 task, $2 attempt, $3 agent, $4 state, $5 remote task id, $6 message: a remote agent's streamed status. */
export const remoteStatusSql = `INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
       SELECT task_id, attempt, 'remote_status', status, $3,
              jsonb_build_object('state', $4::text, 'remote_task_id', $5::text, 'message', $6::text)
         FROM task_history WHERE task_id = $1 AND attempt = $2 AND status = 'in_progress'
       RETURNING id::text AS id, task_id, attempt, type, status, agent_id, detail, created_at`;

/** $1 task, $2 attempt, $3 agent: the running attempt's deadline is now (its agent is gone). */
export const expireAttemptSql = `WITH t AS (
         UPDATE task_history SET deadline = now()
          WHERE task_id = $1 AND attempt = $2 AND agent_id = $3 AND status IN ('pending', 'in_progress')
            AND dispatched_at IS NOT NULL
          RETURNING task_id, attempt
       )
       UPDATE task_attempts a SET deadline = now() FROM t WHERE a.task_id = t.task_id AND a.attempt = t.attempt
       RETURNING a.task_id`;
