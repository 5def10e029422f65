package geo

//go:generate go run ./internal/mkdemo -out testdata
