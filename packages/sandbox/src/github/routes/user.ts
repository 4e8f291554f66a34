// GET /user: the authenticated user.
import { privateUser } from "../render/users.js";
import { type Handler, type Route, route } from "./route.js";

const getUser: Handler = (ctx, req) => ({ status: 200, body: privateUser(ctx, ctx.store.user(req.login)) });

export const userRoutes: Route[] = [
  route("GET", "/user", getUser),
];
