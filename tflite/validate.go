package tflite

func validate(m *Model, pos *positions) error { return nil }
