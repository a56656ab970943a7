package tsinvites

//go:generate go tool -modfile=tools/go.mod oapi-codegen -config api/types.cfg.yaml api/openapi.yaml
//go:generate go tool -modfile=tools/go.mod oapi-codegen -config api/client.cfg.yaml api/openapi.yaml
//go:generate go tool -modfile=tools/go.mod oapi-codegen -config api/server.cfg.yaml api/openapi.yaml
//go:generate go tool -modfile=tools/go.mod oapi-codegen -config api/glue.cfg.yaml api/openapi.yaml
//go:generate go tool -modfile=tools/go.mod oapi-codegen -config api/unimplemented.cfg.yaml api/openapi.yaml
