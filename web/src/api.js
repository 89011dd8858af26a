// The public API, same origin, relative URLs. Every failure becomes an ApiError with a French
// message fit for the page (network down, problem+json title/detail, bad JSON).

export class ApiError extends Error {
  constructor(message, { status = 0, param = null, offline = false } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.param = param;
    this.offline = offline;
  }
}

const OFFLINE = "Le service Rézone est injoignable. Vérifiez votre connexion puis réessayez.";

async function request(url, init = {}) {
  let resp;
  try {
    resp = await fetch(url, { headers: { Accept: "application/json" }, ...init });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(OFFLINE, { offline: true });
  }
  let body = null;
  const text = await resp.text().catch(() => "");
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!resp.ok) {
    if (resp.status >= 502 && resp.status <= 504) throw new ApiError(OFFLINE, { status: resp.status, offline: true });
    const title = body && body.title ? body.title : `Erreur ${resp.status}`;
    const detail = body && body.detail ? ` — ${body.detail}` : "";
    throw new ApiError(title + detail, { status: resp.status, param: body && body.param });
  }
  if (resp.status === 204) return null;
  if (body === null) throw new ApiError("Réponse illisible du service Rézone.", { status: resp.status });
  return body;
}

const qs = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();

export const api = {
  communes: (q, limit = 8, signal) => request(`/v1/communes?${qs({ q, limit })}`, { signal }),
  locate: (lat, lon) => request(`/v1/locate?${qs({ lat: lat.toFixed(6), lon: lon.toFixed(6) })}`),
  territory: (level, code) => request(`/v1/territories/${encodeURIComponent(level)}/${encodeURIComponent(code)}`),
  facilities: (bbox, type, signal) => request(`/v1/facilities?${qs({ bbox: bbox.map((v) => v.toFixed(5)).join(","), type })}`, { signal }),
  questions: (profession) => request(`/v1/eligibility/questions?${qs({ profession })}`),
  eligibility: (payload) => request("/v1/eligibility", {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  }),
  aids: () => request("/v1/aids"),
  health: () => request("/v1/health"),
  downloads: () => request("/v1/downloads"),
};
