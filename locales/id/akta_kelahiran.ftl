akta_kelahiran-title = Akta Kelahiran
akta_kelahiran-intro =
    Baik, Bapak/Ibu. Pembuatan akta kelahiran tidak dipungut biaya.
    Sebelum mulai, mohon siapkan:
    - foto surat keterangan lahir dari bidan, dokter, atau rumah sakit
    - foto buku nikah atau akta perkawinan orang tua
    - NIK ibu, NIK ayah, dan nomor Kartu Keluarga
    Bila pernikahan orang tua belum tercatat, siapkan NIK dua orang saksi untuk Surat Pernyataan Tanggung Jawab Mutlak (SPTJM).
akta_kelahiran-nama_bayi = Mohon ketik nama lengkap anak yang akan dicatat di akta. Contoh: *Aisyah Putri Ramadhani*.
    .label = Nama anak
akta_kelahiran-jenis_kelamin = Apa jenis kelamin anak? Mohon ketik nomor pilihan.
    .label = Jenis kelamin
akta_kelahiran-jenis_kelamin-laki_laki = Laki-laki
akta_kelahiran-jenis_kelamin-perempuan = Perempuan
akta_kelahiran-tanggal_lahir = Mohon ketik tanggal lahir anak dengan urutan tanggal-bulan-tahun. Contoh: *17-08-2025*.
    .label = Tanggal lahir
akta_kelahiran-tempat_lahir = Di kota atau kabupaten mana anak lahir? Contoh: *Penajam Paser Utara*.
    .label = Tempat lahir
akta_kelahiran-anak_ke = Anak ke berapa dari ibu tersebut? Mohon ketik angka. Contoh: *2*.
    .label = Anak ke-
akta_kelahiran-tanggal_lahir_ibu = Mohon ketik tanggal lahir ibu kandung dengan urutan tanggal-bulan-tahun. Contoh: *17-08-1990*.
    .label = Tanggal lahir ibu
akta_kelahiran-nik_ibu = Mohon ketik NIK ibu kandung (16 angka). Contoh: *6409015708900002*.
    .label = NIK ibu
akta_kelahiran-nik_ayah = Mohon ketik NIK ayah kandung (16 angka). Bila tidak ada, ketik *lewati*.
    .label = NIK ayah
akta_kelahiran-no_kk = Mohon ketik nomor Kartu Keluarga tempat anak akan dicatat (16 angka). Contoh: *6409012005150003*.
    .label = Nomor KK
akta_kelahiran-surat_lahir =
    Mohon kirim foto surat keterangan lahir dari bidan, dokter, atau rumah sakit.
    Pastikan seluruh surat terlihat dan tulisannya jelas terbaca.
    .label = Surat keterangan lahir
akta_kelahiran-nikah_tercatat =
    Apakah pernikahan orang tua anak sudah tercatat (punya buku nikah atau akta perkawinan)?
    Ketik *ya* atau *tidak*.
    .label = Pernikahan tercatat
akta_kelahiran-buku_nikah =
    Mohon kirim foto buku nikah atau akta perkawinan, halaman yang memuat nama suami dan istri.
    Pastikan foto jelas dan tulisannya terbaca.
    .label = Buku nikah
akta_kelahiran-nik_saksi_1 =
    Karena pernikahan belum tercatat, diperlukan dua orang saksi untuk SPTJM.
    Mohon ketik NIK saksi pertama (16 angka).
    .label = NIK saksi 1
akta_kelahiran-nik_saksi_2 = Mohon ketik NIK saksi kedua (16 angka). Saksi kedua harus orang yang berbeda.
    .label = NIK saksi 2
akta_kelahiran-ringkasan = Mohon periksa kembali data permohonan akta kelahiran berikut:
