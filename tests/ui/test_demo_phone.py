"""`wxbot demo`'s phone stands beside the main window, never over it, and on the screen: measured on the real
window and the real phone panel, for a window with room on its right, one at the right edge of the screen, and
one centred on a screen with room beside it for the phone only once the window moves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect

from wxbot.ui.demo import PhonePanel, place_beside


@pytest.mark.parametrize("screen, window_x, side", [
    (QRect(0, 0, 2560, 1440), 100, "right"),
    (QRect(0, 0, 2560, 1440), None, "left"),  # at the screen's right edge
    (QRect(0, 0, 1600, 1000), 300, "right"),  # centred: neither side has room until the window moves
])
def test_the_demo_phone_stands_beside_the_window_on_the_screen(qtbot, make_app, sim, screen, window_x, side):
    app = make_app(with_model=False)
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    panel = PhonePanel(sim, app)
    qtbot.addWidget(panel)
    width = window.frameGeometry().width()
    window.move(screen.right() - width - 10 if window_x is None else window_x, 40)

    place_beside(panel, window, screen)
    panel.show()
    qtbot.waitExposed(panel)
    main, phone = window.frameGeometry(), panel.frameGeometry()
    assert not main.intersects(phone)
    assert screen.contains(main) and screen.contains(phone)
    assert (phone.left() > main.right()) == (side == "right") and phone.top() == main.top()
    assert window.size().width() >= window.minimumSizeHint().width()  # nothing squeezed below what it needs
