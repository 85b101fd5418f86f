import { createApp, HttpError, NotFoundError } from '@framework/core';
import { z } from 'zod';

interface Todo {
  id: number;
  title: string;
  done: boolean;
}

const NewTodo = z.object({ title: z.string().trim().min(1).max(200), done: z.boolean().default(false) });
const TodoSchema = z.object({ id: z.number(), title: z.string(), done: z.boolean() });

/** Builds the example app: a small in-memory to-do API. */
export function buildApp() {
  const todos = new Map<number, Todo>();
  let nextId = 1;

  const app = createApp();

  app.get('/', () => ({ name: 'framework example', routes: app.routes().map((r) => `${r.method} ${r.path}`) }));

  app.get('/todos', { schema: { response: { 200: z.array(TodoSchema) } }, handler: () => [...todos.values()] });

  app.get('/todos/:id', {
    schema: { params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: TodoSchema } },
    handler: (ctx) => {
      const todo = todos.get(ctx.params.id);
      if (!todo) throw new NotFoundError(`No to-do with id ${ctx.params.id}; list them at GET /todos.`);
      return todo;
    },
  });

  app.post('/todos', {
    schema: { body: NewTodo, response: { 201: TodoSchema } },
    status: 201,
    handler: (ctx) => {
      const todo: Todo = { id: nextId++, ...ctx.body };
      todos.set(todo.id, todo);
      return todo;
    },
  });

  app.get('/teapot', () => {
    throw new HttpError(418, 'This server is a teapot; it cannot brew coffee.');
  });

  return app;
}
