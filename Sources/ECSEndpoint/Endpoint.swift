import Hummingbird
import ECSWire
