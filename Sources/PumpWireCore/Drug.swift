/// Drug codes of spec section 9.3, shared by the prescription and the refill confirmation.
public enum Drug: UInt8, Sendable {
    case morphine = 1
    case hydromorphone = 2
    case baclofen = 3
    case ziconotide = 4
    case bupivacaine = 5
    case clonidine = 6
    case fentanyl = 7
    case sufentanil = 8
}
