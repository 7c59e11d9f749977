extension KeyedDecodingContainer {
    /// `try c(.field)`: decodes the field with the type the call site expects.
    func callAsFunction<T: Decodable>(_ key: Key) throws -> T {
        try decode(T.self, forKey: key)
    }
}
