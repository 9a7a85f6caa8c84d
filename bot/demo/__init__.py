"""The Fling demo game: its look (themes), its drawing (render) and seeded test boards."""
