// @fw:imports

const NewNote = z.object({ title: z.string().trim().min(1).max(200) });
const Note = z.object({ id: z.number(), title: z.string() });
const Id = z.object({ id: z.coerce.number().int().positive() });

/**
 * Builds the app: plugins and routes registered, not started. `src/main.ts` starts it; the tests
 * call `app.request()` on it without a socket.
 */
export function buildApp() {
  const app = createApp(); // @fw:app
  const notes = createNotes(); // @fw:notes
  // @fw:setup

  // Load balancers and orchestrators ask these: live while the process runs, ready while every
  // dependency a plugin registered a health check for answers.
  app.get('/health/live', () => ({ status: 'up' }));
  app.get('/health/ready', async (ctx) => {
    const report = await app.health();
    return ctx.json(report, report.status === 'up' ? 200 : 503);
  });

  app.get('/notes', {
    schema: { response: { 200: z.array(Note) } },
    handler: () => notes.list(), // @fw:list
  });

  app.get('/notes/:id', {
    schema: { params: Id, response: { 200: Note } },
    handler: async (ctx) => {
      const note = await notes.find(ctx.params.id);
      if (note === undefined) throw new NotFoundError(`No note with id ${ctx.params.id}; list them at GET /notes.`);
      return note;
    },
  });

  app.post('/notes', {
    schema: { body: NewNote, response: { 201: Note } },
    status: 201,
    handler: async (ctx) => {
      const note = await notes.add(ctx.body);
      // @fw:created
      return note;
    },
  });
  // @fw:routes

  return app;
}
